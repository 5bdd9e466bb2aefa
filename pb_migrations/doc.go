// Package pb_migrations holds Plaza's schema as Go migrations, one file per step.
// A released migration is never edited; a change is a new file.
package pb_migrations
