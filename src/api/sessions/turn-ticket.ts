/** A turn the API has handed to its session: where its events begin in the session's stream. */
export interface TurnTicket {
  session_id: string;
  turn_id: string;
  /** The stream id taken before the message was sent: reading after it cannot miss the turn's events. */
  after_id: string;
  model: string | undefined;
  received_at: string;
  /** Sent with an Idempotency-Key: the turn may have run already, its result may be in the archive. */
  idempotent?: boolean;
}
