export const CONFIG = Symbol('Config');
export const DATA_SOURCE = Symbol('DataSource');
export const KAFKA = Symbol('Kafka');
