/** A started process role; `stop` releases what the role opened (not the shared infrastructure). */
export interface RunningRole {
  stop(): Promise<void>;
}
