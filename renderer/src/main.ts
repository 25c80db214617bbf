// First, before any schema is made (see the module).
import '../../shared/rpc/zod-without-eval';
import { mount } from 'svelte';
import App from './App.svelte';
import './global.css';

mount(App, { target: document.getElementById('app')! });
