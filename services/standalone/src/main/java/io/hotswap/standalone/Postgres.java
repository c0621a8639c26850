package io.hotswap.standalone;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The audit database: the server named by {@code HOTSWAP_DB_URL} if set, else a real PostgreSQL
 * (embedded binaries) whose data lives under {@code ./data/postgres} and survives restarts.
 */
public final class Postgres implements AutoCloseable {

  private final EmbeddedPostgres embedded;
  private final String url;
  private final String user;
  private final String password;

  private Postgres(EmbeddedPostgres embedded, String url, String user, String password) {
    this.embedded = embedded;
    this.url = url;
    this.user = user;
    this.password = password;
  }

  public static Postgres external(String url, String user, String password) {
    return new Postgres(null, url, user, password);
  }

  public static Postgres embedded(Path dataDir, int port) throws IOException, SQLException {
    Path dir = dataDir.resolve("postgres");
    Files.createDirectories(dir);
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .start();
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'hotswap'")) {
        if (!rs.next()) {
          s.execute("CREATE DATABASE hotswap");
        }
      }
    }
    return new Postgres(pg, pg.getJdbcUrl("postgres", "hotswap"), "postgres", "postgres");
  }

  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  @Override
  public void close() throws IOException {
    if (embedded != null) {
      embedded.close();
    }
  }
}
