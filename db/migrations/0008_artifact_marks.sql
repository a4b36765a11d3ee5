CREATE TABLE "artifact_marks" (
	"uri" text PRIMARY KEY NOT NULL,
	"marked_at" timestamp with time zone NOT NULL,
	"bytes" bigint NOT NULL
);
