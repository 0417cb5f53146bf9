import java.sql.*;

/** Prepared statements through the gateway with PostgreSQL's JDBC driver. */
public class GatewayJdbc {
  public static void main(String[] a) throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + a[0] + "/test?sslmode=disable&prepareThreshold=1&assumeMinServerVersion=10&currentSchema=" + a[3];
    try (Connection c = DriverManager.getConnection(url, a[1], a[2])) {
      try (Statement s = c.createStatement()) {
        s.execute("create table j (id int, name text, n bigint)");
      }
      try (PreparedStatement p = c.prepareStatement("select current_setting('application_name')");
          ResultSet r = p.executeQuery()) {
        r.next();
        System.out.println("application_name " + r.getString(1));
      }
      try (PreparedStatement p = c.prepareStatement("insert into j values (?, ?, ?)")) {
        for (int i = 1; i <= 3; i++) {
          p.setInt(1, i);
          p.setString(2, "name" + i);
          if (i == 2) p.setNull(3, Types.BIGINT); else p.setLong(3, i * 10L);
          p.executeUpdate();
        }
      }
      c.setAutoCommit(false);
      try (PreparedStatement p = c.prepareStatement("select id, name from j where id >= ? order by id")) {
        p.setFetchSize(1);
        p.setInt(1, 1);
        int n = 0;
        try (ResultSet r = p.executeQuery()) { while (r.next()) n++; }
        System.out.println("rows " + n);
      }
      c.commit();
    }
  }
}
