/**
 * Table names, schemas (read from {@code data-schemas/}), content-addressed ids, warehouse paths,
 * idempotent writes and catalog registration. Every stage reads and writes tables only through
 * {@link org.embench.table.Warehouse}.
 */
package org.embench.table;
