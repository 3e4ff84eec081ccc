/** The stages chained: {@code run} (an experiment spec end to end) and {@code quickstart}. */
package org.embench.pipeline;
