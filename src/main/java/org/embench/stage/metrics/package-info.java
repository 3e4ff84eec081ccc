/** Stage 6: the metric SQL over the stored tables, with confidence intervals. */
package org.embench.stage.metrics;
