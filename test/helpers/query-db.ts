import { openDatabase } from '../../src/query/database.js';

/** Runs `sql` on an existing database file and returns its rows as JSON-safe objects. */
export async function queryDb(dbPath: string, sql: string) {
  const db = await openDatabase(dbPath, { mustExist: true });
  try {
    return (await db.connection.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    db.close();
  }
}
