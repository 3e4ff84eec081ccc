/**
 * One Spark job per stage, kept thin: read tables, call the packages that hold the logic, write
 * tables through {@link org.embench.table.Warehouse}. Every job is idempotent and resumable.
 */
package org.embench.jobs;
