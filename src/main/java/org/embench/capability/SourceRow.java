package org.embench.capability;

import com.fasterxml.jackson.databind.JsonNode;

/** One row of a task's source: its 1-based line (or row) and its fields. */
public record SourceRow(long line, JsonNode fields) {}
