// Sensor layers: a metric's latest value coloured by bands, with the legend that explains them.

export const LAYERS = {
  pm25: {
    label: 'PM2.5 (AQI band)', unit: 'µg/m³',
    bands: [[9, '#00e400', 'Good ≤ 9'], [35.4, '#ffff00', 'Moderate ≤ 35.4'], [55.4, '#ff7e00', 'Unhealthy for sensitive groups ≤ 55.4'],
      [125.4, '#ff3b3b', 'Unhealthy ≤ 125.4'], [225.4, '#b36bd6', 'Very unhealthy ≤ 225.4'], [Infinity, '#c0395a', 'Hazardous']],
  },
  noise_dba: {
    label: 'Noise', unit: 'dB(A)',
    bands: [[55, '#4fc3f7', 'Quiet < 55'], [65, '#00e400', '55–65'], [75, '#ffb000', '65–75'], [Infinity, '#ff3b3b', 'Loud ≥ 75']],
  },
  temp_c: {
    label: 'Temperature', unit: '°C',
    bands: [[0, '#7aa7ff', 'Below 0'], [10, '#4fc3f7', '0–10'], [20, '#00e400', '10–20'], [30, '#ffb000', '20–30'], [Infinity, '#ff3b3b', '30 and above']],
  },
};

export function bandColour(layer, value) {
  if (value === undefined || value === null) return null;
  for (const [limit, colour] of LAYERS[layer].bands) if (value <= limit) return colour;
  return null;
}
