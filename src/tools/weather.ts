import { z } from 'zod';
import { defineTool } from './tool-definition';
import { offlineWeather } from './weather-offline';
import { CityNotFoundError, openMeteoWeather } from './weather-open-meteo';

export interface WeatherToolConfig {
  provider: 'open-meteo' | 'offline';
  geocodingUrl: string;
  forecastUrl: string;
  timeoutMs: number;
}

/** Current weather for a city: Open-Meteo when reachable, else the offline provider, saying which. */
export function createWeatherTool(config: WeatherToolConfig) {
  return defineTool({
    name: 'weather',
    description: 'Current weather (temperature in °C, wind, conditions) for a city.',
    schema: z.object({ city: z.string().trim().min(1).max(100).describe('City name, e.g. "Seoul".') }),
    policy: { maximumAttempts: 3, timeoutSeconds: Math.ceil((config.timeoutMs * 2) / 1000) + 2 },
    cacheable: true,
    idempotent: true,
    /** Read-only: runs without asking. */
    approval: 'never',
    async run({ city }) {
      if (config.provider === 'offline') return { ok: true, value: offlineWeather(city), provider: 'offline' };
      try {
        const report = await openMeteoWeather(
          city,
          { geocoding: config.geocodingUrl, forecast: config.forecastUrl },
          config.timeoutMs,
        );
        return { ok: true, value: report, provider: 'open-meteo' };
      } catch (err) {
        if (err instanceof CityNotFoundError)
          return { ok: false, value: { city }, error: err.message, provider: 'open-meteo' };
        return {
          ok: true,
          value: { ...offlineWeather(city), fallback_reason: (err as Error).message },
          provider: 'offline',
        };
      }
    },
  });
}
