import { fetchJson, ToolHttpError } from './http-json';
import type { WeatherReport } from './weather-offline';

/** WMO weather codes as Open-Meteo reports them, grouped to plain words. */
function describeCode(code: number): string {
  if (code === 0) return 'clear sky';
  if (code <= 3) return 'partly cloudy';
  if (code <= 48) return 'fog';
  if (code <= 57) return 'drizzle';
  if (code <= 67) return 'rain';
  if (code <= 77) return 'snow';
  if (code <= 82) return 'rain showers';
  if (code <= 86) return 'snow showers';
  return 'thunderstorm';
}

interface GeocodingResponse {
  results?: Array<{ name: string; country?: string; latitude: number; longitude: number }>;
}
interface ForecastResponse {
  current?: { time?: string; temperature_2m?: number; wind_speed_10m?: number; weather_code?: number };
}

export class CityNotFoundError extends Error {
  override name = 'CityNotFoundError';
}

/** Keyless Open-Meteo: geocode the city, then read its current conditions. */
export async function openMeteoWeather(
  city: string,
  urls: { geocoding: string; forecast: string },
  timeoutMs: number,
): Promise<WeatherReport> {
  const geo = (await fetchJson(
    `${urls.geocoding}?${new URLSearchParams({ name: city, count: '1', format: 'json' }).toString()}`,
    timeoutMs,
  )) as GeocodingResponse;
  const place = geo.results?.[0];
  if (!place) throw new CityNotFoundError(`No place called "${city}" was found`);
  const query = new URLSearchParams({
    latitude: String(place.latitude),
    longitude: String(place.longitude),
    current: 'temperature_2m,wind_speed_10m,weather_code',
  });
  const forecast = (await fetchJson(`${urls.forecast}?${query.toString()}`, timeoutMs)) as ForecastResponse;
  const current = forecast.current;
  if (!current || typeof current.temperature_2m !== 'number')
    throw new ToolHttpError('Open-Meteo answered without current conditions');
  return {
    city: place.name,
    country: place.country,
    temperature_c: current.temperature_2m,
    wind_kmh: current.wind_speed_10m ?? 0,
    condition: describeCode(current.weather_code ?? 0),
    observed_at: current.time,
  };
}
