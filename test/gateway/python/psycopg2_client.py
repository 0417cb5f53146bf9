"""psycopg2 through the gateway: client-side binding (simple protocol), an implicit BEGIN."""
import os

import psycopg2

t = os.environ["ITEMS"]
conn = psycopg2.connect(
    host="127.0.0.1",
    port=int(os.environ["PGPORT"]),
    user=os.environ["PGUSER"],
    password=os.environ["PGPASSWORD"],
    dbname="test",
)
cur = conn.cursor()
cur.execute(f"create table {t} (id int primary key, name text)")
cur.execute(f"insert into {t} values (%s, %s), (%s, %s)", (1, "o'ne", 2, None))
cur.execute(f"select name from {t} where id = %s", (1,))
assert cur.fetchone() == ("o'ne",)
conn.commit()
try:
    cur.execute(f"select * from {t}_missing")
except psycopg2.errors.UndefinedTable:
    conn.rollback()
cur.execute(f"delete from {t} where id = %s", (2,))
conn.commit()
conn.close()
print("ok")
