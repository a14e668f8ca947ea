// Package pgtest gives tests a Postgres database of their own: a fresh
// schema on the server VIGIE_TEST_POSTGRES_DSN names, dropped afterwards.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable holding the test server's DSN.
const EnvDSN = "VIGIE_TEST_POSTGRES_DSN"

// DSN returns the test server's DSN. Without one the test is skipped on a
// workstation and fails in CI (CI=true), where skipping would hide the
// back-end.
func DSN(t testing.TB) string {
	t.Helper()
	d := os.Getenv(EnvDSN)
	if d == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(EnvDSN + " is not set (store/testdata/start-postgres.sh prints one)")
		}
		t.Skip(EnvDSN + " is not set; store/testdata/start-postgres.sh starts a server and prints it")
	}
	return d
}

// Exec runs one statement on the test server, outside any test schema.
func Exec(t testing.TB, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, DSN(t))
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// SchemaDSN creates a fresh schema, dropped when the test ends, and returns
// a DSN whose search_path is that schema: every test gets an empty database
// of its own on the one server.
func SchemaDSN(t testing.TB) string {
	t.Helper()
	base := DSN(t)
	var b [8]byte
	rand.Read(b[:])
	schema := "vigie_test_" + hex.EncodeToString(b[:])
	Exec(t, `CREATE SCHEMA `+schema)
	t.Cleanup(func() { Exec(t, `DROP SCHEMA `+schema+` CASCADE`) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", EnvDSN, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
