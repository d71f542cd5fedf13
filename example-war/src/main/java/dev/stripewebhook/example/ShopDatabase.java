// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The shop's database, which also holds the library's event inbox: the container's DataSource when
 * {@value WebhookConfig.Keys#DATASOURCE} names one in JNDI (Tomcat's {@code context.xml}, a WildFly
 * datasource), otherwise an embedded H2 database in a file that a restart keeps (the directory from
 * the system property {@value #DIRECTORY}, default {@code java.io.tmpdir/example-shop}; {@code
 * jetty:run} puts it under {@code example-war/target/}).
 *
 * <p>Runs before the filter starts (listeners come first): creates the shop's tables, and hands the
 * H2 DataSource to the filter through {@link StripeWebhookFilter#DATASOURCE_ATTRIBUTE}; a JNDI
 * DataSource the filter finds by itself.
 */
public final class ShopDatabase implements ServletContextListener {
  /** The system property naming the embedded database's directory: {@value}. */
  public static final String DIRECTORY = "example.database-dir";

  /** The servlet context attribute holding the shop's DataSource: {@value}. */
  static final String ATTRIBUTE = "dev.stripewebhook.example.datasource";

  private static final System.Logger LOG = System.getLogger(ShopDatabase.class.getName());

  @Override
  public void contextInitialized(ServletContextEvent sce) {
    ServletContext context = sce.getServletContext();
    String jndiName = configured(context);
    DataSource dataSource;
    if (jndiName != null) {
      dataSource = lookup(jndiName);
      LOG.log(Level.INFO, "Shop and event inbox in the container's DataSource {0}", jndiName);
    } else {
      Path directory =
          Path.of(
              System.getProperty(
                  DIRECTORY,
                  Path.of(System.getProperty("java.io.tmpdir"), "example-shop").toString()));
      JdbcDataSource h2 = new JdbcDataSource();
      // WRITE_DELAY=0: a commit is on disk before the 200 goes out, even if the JVM is killed.
      h2.setURL("jdbc:h2:file:" + directory.toAbsolutePath().resolve("shop") + ";WRITE_DELAY=0");
      h2.setUser("sa");
      dataSource = h2;
      context.setAttribute(StripeWebhookFilter.DATASOURCE_ATTRIBUTE, dataSource);
      LOG.log(Level.INFO, "Shop and event inbox in the embedded H2 database {0}", h2.getURL());
    }
    createTables(dataSource);
    context.setAttribute(ATTRIBUTE, dataSource);
  }

  /** The JNDI name the library's configuration gives, as the filter will read it. */
  private static String configured(ServletContext context) {
    String key = WebhookConfig.Keys.DATASOURCE;
    for (String value :
        new String[] {
          context.getInitParameter(key),
          System.getProperty(key),
          System.getenv(WebhookConfig.Keys.environmentName(key))
        }) {
      if (value != null && !value.isBlank()) {
        return value.trim();
      }
    }
    return null;
  }

  private static DataSource lookup(String name) {
    try {
      InitialContext jndi = new InitialContext();
      try {
        return (DataSource) jndi.lookup(name);
      } catch (NamingException e) {
        if (name.startsWith("java:")) {
          throw e;
        }
        return (DataSource) jndi.lookup("java:comp/env/" + name);
      }
    } catch (NamingException e) {
      throw new IllegalStateException("No DataSource named " + name + " in JNDI", e);
    }
  }

  /** Creates the shop's tables unless they exist. */
  static void createTables(DataSource dataSource) {
    String script;
    try (InputStream in = ShopDatabase.class.getResourceAsStream("shop-schema.sql")) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      for (String sql : script.replaceAll("(?m)--.*$", "").split(";")) {
        if (!sql.isBlank()) {
          statement.execute(sql);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create the shop's tables: " + e.getMessage(), e);
    }
  }
}
