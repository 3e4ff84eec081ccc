/**
 * Reinforcement learning. This package owns the {@code Reward} extension point: rewards registered
 * by name in {@code Rewards}, each declaring its parameters beside its class, and the {@code
 * CallCache} through which a judge reward never pays twice for the same call, across a resumed run
 * included ({@code FileCallCache}). Like a judge, a reward ends every sample in a {@code Score}: a
 * finite reward, or a failure status that training gives no weight, never a failure disguised as a
 * reward. {@code code_surface} is deliberately hackable, for studying reward hacking.
 */
package org.embench.rl;
