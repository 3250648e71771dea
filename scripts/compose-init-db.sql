-- Second database in the compose PostgreSQL: the registers (legal bases,
-- authorisations, provision register), kept apart from the engine's tables.
CREATE DATABASE riec_registers OWNER riec;
