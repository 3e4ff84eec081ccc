/**
 * Data sources: chat JSONL (messages or prompt/completion), upstream question-suite YAML, judged
 * answers in the upstream CSV format (and the same fields as JSONL), and the small data sets the
 * project makes itself for the quickstart. Readers never throw on a bad row: they return it as a
 * {@link org.embench.data.Reject} naming the file, line and field. A bad file (missing, empty,
 * unreadable as a whole) is a {@link org.embench.UserException}.
 */
package org.embench.data;
