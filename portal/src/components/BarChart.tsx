import { useId } from 'react';

export interface Bar {
  label: string;
  value: number;
  /** The value as people read it (points, an amount in a currency). */
  display: string;
}

/**
 * A bar chart in SVG with the numbers beside it: each bar is labelled with its value, and the same numbers
 * are in a table under the chart, for screen readers and for copying.
 */
export function BarChart({ title, bars, caption, testId }: { title: string; bars: Bar[]; caption?: string; testId?: string }) {
  const id = useId();
  const max = Math.max(1, ...bars.map((b) => Math.abs(b.value)));
  const rowHeight = 34;
  // Narrow on purpose: on a phone the chart is drawn near its own size, so its text stays readable.
  const labelWidth = 112;
  const width = 360;
  const barSpace = width - labelWidth - 72;
  const height = Math.max(rowHeight, bars.length * rowHeight);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title`} preserveAspectRatio="xMinYMin meet">
        {bars.map((bar, i) => {
          const length = Math.round((Math.abs(bar.value) / max) * barSpace);
          const y = i * rowHeight;
          return (
            <g key={bar.label} className="bar" data-label={bar.label} data-value={bar.value}>
              <text x={labelWidth - 8} y={y + rowHeight / 2 + 5} textAnchor="end" className="bar-label">
                {bar.label}
              </text>
              <rect x={labelWidth} y={y + 6} width={Math.max(length, bar.value === 0 ? 0 : 2)} height={rowHeight - 12} rx={3} className={bar.value < 0 ? 'bar-negative' : 'bar-positive'} />
              <text x={labelWidth + length + 6} y={y + rowHeight / 2 + 5} className="bar-value">
                {bar.display}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="chart-data">
        {caption ? <caption>{caption}</caption> : null}
        <tbody>
          {bars.map((bar) => (
            <tr key={bar.label}>
              <th scope="row">{bar.label}</th>
              <td>{bar.display}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
