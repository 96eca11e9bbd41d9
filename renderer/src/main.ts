import { mount } from 'svelte';
import App from './App.svelte';
import { getStudioApi } from '../../electron/api/studio-api';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

try {
  mount(App, { target, props: { api: getStudioApi() } });
} catch (error) {
  // Without an API there is nothing to show; say why instead of leaving a blank window.
  target.textContent = error instanceof Error ? error.message : String(error);
}
