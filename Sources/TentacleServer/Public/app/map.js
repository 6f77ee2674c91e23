// The city on a canvas: displays and district boundaries in Web Mercator, with pan, zoom, hover and click.
//
// Markers are drawn from typed arrays in one path per shape and colour, so 10,000 of them repaint in a
// few milliseconds. Every paint is recorded as a `map-draw` performance measure; a paint caused by a
// pan or zoom also as `map-repaint`, measured from the input event (scripts/bench-dashboard.py reads them).

export const STATUS = {
  online: { label: 'Online', color: '#3ddc84', shape: 'circle' },
  degraded: { label: 'Degraded', color: '#ffb000', shape: 'triangle' },
  offline: { label: 'Offline', color: '#ff6b6b', shape: 'square' },
  alert: { label: 'Showing an alert', color: '#ff5cf0', shape: 'diamond' },
  pending: { label: 'Alert not confirmed', color: '#ff5cf0', shape: 'ring' },
};

const TAU = Math.PI * 2;
const projectX = (lon) => (lon + 180) / 360;
const projectY = (lat) => {
  const r = (Math.max(-85, Math.min(85, lat)) * Math.PI) / 180;
  return (1 - Math.log(Math.tan(Math.PI / 4 + r / 2)) / Math.PI) / 2;
};
const unprojectLon = (x) => x * 360 - 180;
const unprojectLat = (y) => (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;

export class CityMap {
  constructor(container, { onOpen, label = 'City map' } = {}) {
    this.container = container;
    this.onOpen = onOpen || (() => {});
    this.canvas = document.createElement('canvas');
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'application');
    this.canvas.setAttribute('aria-label', `${label}: arrow keys pan, + and - zoom, Enter opens the display under the centre`);
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'map-tooltip';
    this.tooltip.hidden = true;
    container.append(this.canvas, this.tooltip);
    this.ctx = this.canvas.getContext('2d');
    this.rows = [];
    this.index = new Map();
    this.wx = new Float64Array(0);
    this.wy = new Float64Array(0);
    this.sx = new Float32Array(0);
    this.sy = new Float32Array(0);
    this.districts = [];
    this.colorOf = null;
    this.highlighted = null;
    this.polygon = null;
    this.drawing = null;
    this.view = { x: 0.5, y: 0.5, scale: 1024 };
    this.pending = 0;
    this.inputAt = null;
    this.hover = -1;
    this.pointers = new Map();
    this.bind();
    this.resizer = new ResizeObserver(() => this.resize());
    this.resizer.observe(container);
    this.resize();
  }

  destroy() { this.resizer.disconnect(); }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const { width, height } = this.container.getBoundingClientRect();
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    this.canvas.width = Math.round(this.width * ratio);
    this.canvas.height = Math.round(this.height * ratio);
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    this.ratio = ratio;
    this.draw();
  }

  setDistricts(districts) {
    this.districts = districts.filter((d) => d.boundary).map((d) => ({
      code: d.code, name: d.name,
      rings: (d.boundary.type === 'Polygon' ? [d.boundary.coordinates] : d.boundary.coordinates)
        .flatMap((poly) => poly).map((ring) => ring.map(([lon, lat]) => [projectX(lon), projectY(lat)])),
    }));
    this.schedule();
  }

  // rows: [id, name, lat, lon, status, district, poleId, alert]
  setDisplays(rows) {
    this.rows = rows;
    this.index = new Map(rows.map((r, i) => [r[0], i]));
    this.wx = new Float64Array(rows.length);
    this.wy = new Float64Array(rows.length);
    rows.forEach((r, i) => { this.wx[i] = projectX(r[3]); this.wy[i] = projectY(r[2]); });
    this.sx = new Float32Array(rows.length);
    this.sy = new Float32Array(rows.length);
    this.draw();
  }

  updateDisplay(id, status, alert) {
    const i = this.index.get(id);
    if (i === undefined) return false;
    this.rows[i][4] = status;
    this.rows[i][7] = alert;
    this.schedule();
    return true;
  }

  fit(ids) {
    const use = ids ? ids.map((id) => this.index.get(id)).filter((i) => i !== undefined) : this.rows.map((_, i) => i);
    let points = use.map((i) => [this.wx[i], this.wy[i]]);
    if (!points.length) points = this.districts.flatMap((d) => d.rings.flat());
    if (!points.length) return;
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    this.view.x = (minX + maxX) / 2;
    this.view.y = (minY + maxY) / 2;
    const span = Math.max(maxX - minX, (maxY - minY) * (this.width / this.height), 1e-6);
    this.view.scale = Math.min((this.width * 0.9) / span, 2 ** 30);
    this.schedule();
  }

  centreOn(id) {
    const i = this.index.get(id);
    if (i === undefined) return;
    this.view.x = this.wx[i];
    this.view.y = this.wy[i];
    this.view.scale = Math.max(this.view.scale, 2 ** 22);
    this.schedule();
  }

  // A function (row) => colour or null, or null for colours by status.
  setColouring(colorOf) { this.colorOf = colorOf; this.schedule(); }
  setHighlight(ids) { this.highlighted = ids ? new Set(ids) : null; this.schedule(); }
  setPolygon(lonLats) { this.polygon = lonLats ? lonLats.map(([lon, lat]) => [projectX(lon), projectY(lat)]) : null; this.schedule(); }

  // Clicks add corners until `finish`; returns the corners as [lon, lat].
  startDrawing(onChange) { this.drawing = { points: [], onChange }; this.canvas.classList.add('drawing'); this.schedule(); }
  finishDrawing() {
    const points = this.drawing ? this.drawing.points : [];
    this.drawing = null;
    this.canvas.classList.remove('drawing');
    this.setPolygon(points.length >= 3 ? points : null);
    return points;
  }

  toScreen(x, y) { return [(x - this.view.x) * this.view.scale + this.width / 2, (y - this.view.y) * this.view.scale + this.height / 2]; }
  toWorld(px, py) { return [(px - this.width / 2) / this.view.scale + this.view.x, (py - this.height / 2) / this.view.scale + this.view.y]; }

  panBy(dx, dy, at) {
    this.view.x -= dx / this.view.scale;
    this.view.y -= dy / this.view.scale;
    this.inputAt = at ?? performance.now();
    this.schedule();
  }

  zoomBy(factor, px = this.width / 2, py = this.height / 2, at) {
    const [wx, wy] = this.toWorld(px, py);
    this.view.scale = Math.min(Math.max(this.view.scale * factor, 256), 2 ** 30);
    this.view.x = wx - (px - this.width / 2) / this.view.scale;
    this.view.y = wy - (py - this.height / 2) / this.view.scale;
    this.inputAt = at ?? performance.now();
    this.schedule();
  }

  schedule() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => { this.pending = 0; this.draw(); });
  }

  draw() {
    const start = performance.now();
    const { ctx, width, height } = this;
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.fillStyle = '#0e1526';
    ctx.fillRect(0, 0, width, height);
    this.drawDistricts();
    this.drawMarkers();
    this.drawLabels();
    this.drawPolygon();
    const end = performance.now();
    performance.measure('map-draw', { start, end, detail: { markers: this.rows.length } });
    if (this.inputAt !== null) {
      performance.measure('map-repaint', { start: this.inputAt, end, detail: { markers: this.rows.length } });
      this.inputAt = null;
    }
  }

  drawDistricts() {
    const { ctx } = this;
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#6b7a99';
    ctx.fillStyle = 'rgba(120, 140, 190, 0.07)';
    this.labels = [];
    for (const d of this.districts) {
      ctx.beginPath();
      let cx = 0, cy = 0, n = 0;
      for (const ring of d.rings) {
        ring.forEach(([x, y], i) => {
          const [px, py] = this.toScreen(x, y);
          if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
          cx += px; cy += py; n += 1;
        });
        ctx.closePath();
      }
      ctx.fill();
      ctx.stroke();
      if (n) this.labels.push([d.name, cx / n, cy / n - 40]);
    }
  }

  // District names go over the markers, with a dark halo so they stay readable.
  drawLabels() {
    const { ctx } = this;
    ctx.font = '600 13px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.lineWidth = 4;
    ctx.strokeStyle = '#0e1526';
    ctx.fillStyle = '#d5dbea';
    for (const [name, x, y] of this.labels) {
      ctx.strokeText(name, x, y);
      ctx.fillText(name, x, y);
    }
  }

  styleOf(row) {
    if (row[7] === 2) return 'alert';
    if (row[7] === 1) return 'pending';
    return STATUS[row[4]] ? row[4] : 'offline';
  }

  drawMarkers() {
    const { ctx, rows, wx, wy, sx, sy, width, height } = this;
    const { x: vx, y: vy, scale } = this.view;
    const r = Math.max(3, Math.min(7, Math.log2(scale) - 15));
    const groups = new Map();
    const hw = width / 2, hh = height / 2;
    for (let i = 0; i < rows.length; i++) {
      const px = (wx[i] - vx) * scale + hw;
      const py = (wy[i] - vy) * scale + hh;
      sx[i] = px; sy[i] = py;
      if (px < -10 || py < -10 || px > width + 10 || py > height + 10) continue;
      const style = this.styleOf(rows[i]);
      const fill = this.colorOf ? (this.colorOf(rows[i]) || '#56607a') : STATUS[style].color;
      const key = `${STATUS[style].shape}|${fill}`;
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push(i);
    }
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#0b1020';
    for (const [key, list] of groups) {
      const [shape, fill] = key.split('|');
      ctx.beginPath();
      for (const i of list) this.shapePath(shape, sx[i], sy[i], r);
      if (shape === 'ring') {
        ctx.lineWidth = 2.5;
        ctx.strokeStyle = fill;
        ctx.stroke();
        ctx.lineWidth = 1;
        ctx.strokeStyle = '#0b1020';
      } else {
        ctx.fillStyle = fill;
        ctx.fill();
        ctx.stroke();
      }
    }
    if (this.highlighted) {
      ctx.beginPath();
      for (let i = 0; i < rows.length; i++) {
        if (!this.highlighted.has(rows[i][0])) continue;
        ctx.moveTo(sx[i] + r + 4, sy[i]);
        ctx.arc(sx[i], sy[i], r + 4, 0, TAU);
      }
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
    }
    if (this.hover >= 0 && this.hover < rows.length) {
      ctx.beginPath();
      ctx.arc(sx[this.hover], sy[this.hover], r + 5, 0, TAU);
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#7cc4ff';
      ctx.stroke();
    }
  }

  shapePath(shape, x, y, r) {
    const { ctx } = this;
    switch (shape) {
      case 'circle': ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, TAU); break;
      case 'square': ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7); break;
      case 'triangle': ctx.moveTo(x, y - r * 1.15); ctx.lineTo(x + r, y + r * 0.75); ctx.lineTo(x - r, y + r * 0.75); ctx.closePath(); break;
      default: ctx.moveTo(x, y - r * 1.3); ctx.lineTo(x + r * 1.3, y); ctx.lineTo(x, y + r * 1.3); ctx.lineTo(x - r * 1.3, y); ctx.closePath();
    }
  }

  drawPolygon() {
    const points = this.drawing ? this.drawing.points.map(([lon, lat]) => [projectX(lon), projectY(lat)]) : this.polygon;
    if (!points || !points.length) return;
    const { ctx } = this;
    ctx.beginPath();
    points.forEach(([x, y], i) => { const [px, py] = this.toScreen(x, y); if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py); });
    if (!this.drawing) ctx.closePath();
    ctx.fillStyle = 'rgba(255, 176, 0, 0.18)';
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#ffb000';
    ctx.stroke();
  }

  nearest(px, py, within = 10) {
    let best = -1, bestD = within * within;
    for (let i = 0; i < this.rows.length; i++) {
      const dx = this.sx[i] - px, dy = this.sy[i] - py;
      const d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  }

  showTooltip(i, px, py) {
    if (i < 0) { this.tooltip.hidden = true; return; }
    const row = this.rows[i];
    const style = this.styleOf(row);
    const extra = this.colorOf && this.valueText ? this.valueText(row) : '';
    this.tooltip.textContent = `${row[1]} · ${row[0]}${row[6] ? ` · pole ${row[6]}` : ''} · ${STATUS[style].label}${extra ? ` · ${extra}` : ''}`;
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${Math.min(px + 14, this.width - 260)}px`;
    this.tooltip.style.top = `${py + 14}px`;
  }

  bind() {
    const c = this.canvas;
    let dragged = false;
    c.addEventListener('pointerdown', (e) => {
      c.setPointerCapture(e.pointerId);
      this.pointers.set(e.pointerId, { x: e.offsetX, y: e.offsetY });
      dragged = false;
    });
    c.addEventListener('pointermove', (e) => {
      const last = this.pointers.get(e.pointerId);
      if (!last) {
        const i = this.nearest(e.offsetX, e.offsetY);
        if (i !== this.hover) { this.hover = i; this.schedule(); }
        this.showTooltip(i, e.offsetX, e.offsetY);
        c.style.cursor = i >= 0 ? 'pointer' : this.drawing ? 'crosshair' : 'grab';
        return;
      }
      if (this.pointers.size === 2) {
        const [a, b] = [...this.pointers.values()];
        const before = Math.hypot(a.x - b.x, a.y - b.y);
        last.x = e.offsetX; last.y = e.offsetY;
        const after = Math.hypot(a.x - b.x, a.y - b.y);
        if (before > 0) this.zoomBy(after / before, (a.x + b.x) / 2, (a.y + b.y) / 2, e.timeStamp);
        dragged = true;
        return;
      }
      const dx = e.offsetX - last.x, dy = e.offsetY - last.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) dragged = true;
      last.x = e.offsetX; last.y = e.offsetY;
      if (dragged) this.panBy(dx, dy, e.timeStamp);
      this.tooltip.hidden = true;
    });
    const up = (e) => {
      this.pointers.delete(e.pointerId);
      if (dragged || e.type === 'pointercancel') return;
      if (this.drawing) {
        const [x, y] = this.toWorld(e.offsetX, e.offsetY);
        this.drawing.points.push([unprojectLon(x), unprojectLat(y)]);
        this.drawing.onChange(this.drawing.points);
        this.schedule();
        return;
      }
      const i = this.nearest(e.offsetX, e.offsetY);
      if (i >= 0) this.onOpen(this.rows[i][0]);
    };
    c.addEventListener('pointerup', up);
    c.addEventListener('pointercancel', up);
    c.addEventListener('pointerleave', () => { this.tooltip.hidden = true; if (this.hover >= 0) { this.hover = -1; this.schedule(); } });
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.zoomBy(Math.exp(-e.deltaY / 400), e.offsetX, e.offsetY, e.timeStamp);
    }, { passive: false });
    c.addEventListener('keydown', (e) => {
      const step = 80;
      const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      if (moves[e.key]) { e.preventDefault(); this.panBy(...moves[e.key], e.timeStamp); }
      else if (e.key === '+' || e.key === '=') { e.preventDefault(); this.zoomBy(1.5, undefined, undefined, e.timeStamp); }
      else if (e.key === '-' || e.key === '_') { e.preventDefault(); this.zoomBy(1 / 1.5, undefined, undefined, e.timeStamp); }
      else if (e.key === 'Enter') {
        const i = this.nearest(this.width / 2, this.height / 2, 40);
        if (i >= 0) this.onOpen(this.rows[i][0]);
      }
    });
  }
}
