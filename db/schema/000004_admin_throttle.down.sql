DROP TABLE IF EXISTS login_failures;
DROP INDEX IF EXISTS users_created_at_id_idx;
