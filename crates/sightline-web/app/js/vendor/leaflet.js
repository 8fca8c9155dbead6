// Leaflet and its marker clustering, pinned in package-lock.json and
// bundled into app.js: the map runs from our own origin, under our CSP.
// The clustering plugin attaches itself to the global `L` Leaflet sets.
import L from 'leaflet';
import 'leaflet.markercluster';

export default L;
