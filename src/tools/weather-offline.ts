import { createHash } from 'node:crypto';

/**
 * Deterministic stand-in weather (same city → same answer), used when the real provider is
 * off or unreachable. Clearly marked as not a real observation.
 */
const CONDITIONS = ['clear sky', 'partly cloudy', 'overcast', 'light rain', 'fog', 'light snow', 'thunderstorm'];

export interface WeatherReport {
  city: string;
  country?: string;
  temperature_c: number;
  wind_kmh: number;
  condition: string;
  observed_at?: string;
  note?: string;
}

export function offlineWeather(city: string): WeatherReport {
  const digest = createHash('sha256').update(city.trim().toLowerCase()).digest();
  return {
    city: city.trim(),
    temperature_c: (digest[0] % 40) - 5,
    wind_kmh: digest[1] % 40,
    condition: CONDITIONS[digest[2] % CONDITIONS.length],
    note: 'Offline sample data, not a real observation.',
  };
}
