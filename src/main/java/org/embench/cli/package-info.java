/** The {@code embench} command and its subcommands; nothing else parses arguments. */
package org.embench.cli;
