CREATE TABLE `agent_tokens` (
	`hash` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`owner_id` text NOT NULL,
	`attempt` integer,
	`name` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text,
	`revoked_reason` text
);
--> statement-breakpoint
CREATE INDEX `agent_tokens_owner` ON `agent_tokens` (`owner_id`);--> statement-breakpoint
CREATE TABLE `relay_claims` (
	`task_id` text PRIMARY KEY NOT NULL,
	`task_key` text NOT NULL,
	`token` integer NOT NULL,
	`lease_ms` integer NOT NULL,
	`token_hash` text,
	`doc` text NOT NULL,
	`claimed_at` text NOT NULL,
	`renewed_at` text
);
--> statement-breakpoint
CREATE TABLE `relay_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`path` text NOT NULL,
	`body` text NOT NULL,
	`headers` text NOT NULL,
	`created_at` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`failed_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `relay_outbox_key_unique` ON `relay_outbox` (`key`);