/**
 * The one set of migrations, for SQLite and PostgreSQL alike. The only dialect difference is the
 * name of the binary column type, passed in; everything else is Kysely's portable schema builder.
 * Migrations are append-only: never edit one that has shipped, add the next.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

function initial(dialect: DialectName): Migration {
  const binary = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('tokens')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('team', 'varchar(64)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('name', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('policies')
        .addColumn('team', 'varchar(64)', (c) => c.notNull())
        .addColumn('version', 'varchar(500)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('policies_pk', ['team', 'version'])
        .execute();
      await db.schema
        .createTable('teams')
        .addColumn('team', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('policy_version', 'varchar(500)', (c) => c.notNull())
        .addColumn('kill_switch', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('bundles')
        .addColumn('team', 'varchar(64)', (c) => c.notNull())
        .addColumn('id', 'varchar(64)', (c) => c.notNull())
        .addColumn('content_id', 'varchar(64)')
        .addColumn('owner', 'varchar(64)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('size', 'bigint')
        .addColumn('events', 'bigint')
        .addColumn('policy_version', 'varchar(500)')
        .addColumn('created_at', 'varchar(40)')
        .addColumn('stored_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('erased_at', 'bigint')
        .addColumn('erased_by', 'varchar(64)')
        .addPrimaryKeyConstraint('bundles_pk', ['team', 'id'])
        .addUniqueConstraint('bundles_content_unique', ['team', 'content_id'])
        .execute();
      await db.schema.createIndex('bundles_owner').on('bundles').columns(['team', 'owner', 'stored_at']).execute();
      await db.schema.createIndex('bundles_expiry').on('bundles').columns(['expires_at']).execute();
      for (const table of ['bundle_bytes', 'quarantine_bytes']) {
        await db.schema
          .createTable(table)
          .addColumn('team', 'varchar(64)', (c) => c.notNull())
          .addColumn('id', 'varchar(64)', (c) => c.notNull())
          .addColumn('bytes', binary, (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['team', 'id'])
          .execute();
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['quarantine_bytes', 'bundle_bytes', 'bundles', 'teams', 'policies', 'tokens']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}

export function migrationProvider(dialect: DialectName): MigrationProvider {
  return {
    getMigrations: () => Promise.resolve({ '0001_initial': initial(dialect) }),
  };
}
