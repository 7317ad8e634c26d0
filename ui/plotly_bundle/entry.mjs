import Plotly from 'plotly.js/lib/core';
import bar from 'plotly.js/lib/bar';
import choropleth from 'plotly.js/lib/choropleth';
Plotly.register([bar, choropleth]);
export default Plotly;
