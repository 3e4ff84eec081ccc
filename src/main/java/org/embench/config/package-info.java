/**
 * Experiment specs: YAML files under {@code jobs/} that name what to train, sample, judge and
 * measure.
 */
package org.embench.config;
