package org.embench.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.embench.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What the jobs write equals data-schemas/, column for column; the data dictionary is current. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaContractTest {
  /** Tables no stage writes yet; their writers' issues extend this test. */
  private static final List<String> NOT_YET_WRITTEN = List.of();

  Warehouse w;

  @BeforeAll
  void fill() {
    w = Fixtures.sharedPipeline();
  }

  @Test
  void everyWrittenParquetFileHasTheContractsColumnsTypesAndNullability() throws IOException {
    for (String table : Tables.all()) {
      if (NOT_YET_WRITTEN.contains(table)) {
        continue;
      }
      TableSchema schema = Tables.schema(table);
      List<Path> files = parquetFiles(Path.of(java.net.URI.create(w.path(table))));
      assertThat(files).as(table).isNotEmpty();
      StructType expected =
          new StructType(
              schema.struct().fields().length == 0
                  ? new StructField[0]
                  : java.util.Arrays.stream(schema.struct().fields())
                      .filter(f -> !schema.partitionBy().contains(f.name()))
                      .toArray(StructField[]::new));
      for (Path file : files) {
        try (ParquetFileReader r =
            ParquetFileReader.open(
                HadoopInputFile.fromPath(
                    new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
          var meta = r.getFooter().getFileMetaData();
          StructType written =
              (StructType)
                  DataType.fromJson(
                      meta.getKeyValueMetaData().get("org.apache.spark.sql.parquet.row.metadata"));
          assertThat(written).as("%s: %s", table, file).isEqualTo(expected);
          List<String> parquetColumns =
              meta.getSchema().getFields().stream().map(Type::getName).toList();
          assertThat(parquetColumns).as(table).containsExactly(expected.fieldNames());
        }
        // Partition directories name the partition columns in the contract's order.
        Path rel = Path.of(java.net.URI.create(w.path(table))).relativize(file.getParent());
        List<String> dirs = new ArrayList<>();
        rel.forEach(p -> dirs.add(p.toString().replaceFirst("=.*", "")));
        assertThat(dirs)
            .as(table)
            .containsExactlyElementsOf(
                schema.partitionBy().isEmpty() ? List.of("") : schema.partitionBy());
      }
      // Non-nullable columns hold no nulls (checked on the data as stored).
      for (TableSchema.Column c : schema.columns()) {
        if (!c.nullable()) {
          long nulls =
              w.read(table).filter(org.apache.spark.sql.functions.col(c.name()).isNull()).count();
          assertThat(nulls).as("%s.%s nulls", table, c.name()).isZero();
        }
      }
    }
  }

  @Test
  void everyTableIsRegisteredInTheCatalogWithTheContractsColumns() {
    for (String table : Tables.all()) {
      StructType registered = w.spark().table(w.qualified(table)).schema();
      assertThat(registered.fieldNames())
          .as(table)
          .containsExactly(Tables.schema(table).struct().fieldNames());
    }
  }

  @Test
  void schemaFilesAndTablesListAgreeAndTheDataDictionaryIsCurrent() throws IOException {
    Path schemas = Path.of("data-schemas");
    try (Stream<Path> s = Files.list(schemas)) {
      assertThat(
              s.map(p -> p.getFileName().toString())
                  .filter(n -> n.endsWith(".schema.json"))
                  .map(n -> n.replace(".schema.json", ""))
                  .sorted()
                  .toList())
          .isEqualTo(Tables.all().stream().sorted().toList());
    }
    assertThat(Files.readString(schemas.resolve("README.md")))
        .as(
            "data-schemas/README.md is stale: regenerate it with bin/embench schema-docs > data-schemas/README.md")
        .isEqualTo(DataDictionary.render());
  }

  private static List<Path> parquetFiles(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet"))
          .filter(p -> !p.toString().contains("/_") && !p.toString().contains("/."))
          .toList();
    }
  }
}
