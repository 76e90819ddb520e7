// Moved to the shared layer (rules and sequences use it too); kept so imports from the agents module still resolve.
export * from '../../lib/working-hours.js';
