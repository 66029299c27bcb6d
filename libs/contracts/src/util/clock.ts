/** Source of the current time; injected so tests and replays are deterministic. */
export type Clock = () => Date;

/** The real clock. */
export const systemClock: Clock = () => new Date();
