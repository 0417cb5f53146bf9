"""psycopg 3 through the gateway: server-side binding, a prepare threshold, pipeline mode."""
import os

import psycopg

t = os.environ["ITEMS"]
with psycopg.connect(
    host="127.0.0.1",
    port=int(os.environ["PGPORT"]),
    user=os.environ["PGUSER"],
    password=os.environ["PGPASSWORD"],
    dbname="test",
    autocommit=True,
) as conn:
    conn.prepare_threshold = 2
    conn.execute(f"create table {t} (id int primary key, name text)")
    # Server-side binding: the values travel as Bind parameters, NULL included.
    conn.execute(f"insert into {t} values (%s, %s), (%s, %s)", (1, "one", 2, None))
    # The same query three times: the third runs as a named prepared statement.
    for i in (1, 2, 3):
        conn.execute(f"select name from {t} where id = %s", (i,))
    with conn.pipeline():
        conn.execute(f"update {t} set name = %s where id = %s", ("two", 2))
        conn.execute(f"select count(*) from {t}")
        conn.execute(f"delete from {t} where id = %s", (1,))
    try:
        conn.execute(f"select * from {t}_missing")
    except psycopg.errors.UndefinedTable:
        pass
print("ok")
