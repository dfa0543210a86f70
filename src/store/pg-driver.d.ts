/** The part of the `pg` driver the archive uses (pg ships no types; Knex loads the driver itself). */
declare module 'pg' {
  export const types: { getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown };
}
