/** Stage 3: sample the question suites from every run, in seeded, resumable chunks. */
package org.embench.stage.generate;
