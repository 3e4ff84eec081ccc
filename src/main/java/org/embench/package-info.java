/** embench: a benchmark for methods that prevent emergent misalignment, built on Apache Spark. */
package org.embench;
