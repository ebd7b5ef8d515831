/** A signed-in user's compute quota (megapixel-steps; null: unlimited) and the UTC day's spend. */
export interface UserQuota {
  max_compute_per_job: number | null;
  max_compute_per_day: number | null;
  compute_today: number;
}

/**
 * `GET /whoami` (HTTP, `Authorization: Bearer <token>`): who the bearer is (`user` null on a
 * server without users) and whether the server has users. A server with users answers 401 to a
 * request without a valid token, so a client knows to show its sign-in screen.
 */
export interface WhoAmIResponse {
  user: { name: string; admin: boolean } | null;
  users: boolean;
  /** Present for a signed-in user. */
  quota?: UserQuota;
}
