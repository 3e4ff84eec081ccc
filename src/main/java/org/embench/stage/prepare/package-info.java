/**
 * Stage 1: prepare (JSONL and YAML inputs to examples, questions and rejects) and import (CSV
 * judgments).
 */
package org.embench.stage.prepare;
