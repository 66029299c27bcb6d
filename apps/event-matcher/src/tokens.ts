export const KAFKA = Symbol('Kafka');
