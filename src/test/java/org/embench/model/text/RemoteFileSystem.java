package org.embench.model.text;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/** Local files under the scheme {@code remote:}, standing in for s3a: or abfss: in tests. */
public class RemoteFileSystem extends RawLocalFileSystem {
  @Override
  public URI getUri() {
    return URI.create("remote:///");
  }
}
