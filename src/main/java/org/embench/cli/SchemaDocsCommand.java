package org.embench.cli;

import org.embench.table.DataDictionary;
import picocli.CommandLine.Command;

@Command(
    name = "schema-docs",
    mixinStandardHelpOptions = true,
    description =
        "Print the data dictionary (data-schemas/README.md) generated from the table schema files.")
final class SchemaDocsCommand implements Runnable {
  @Override
  public void run() {
    System.out.print(DataDictionary.render());
  }
}
