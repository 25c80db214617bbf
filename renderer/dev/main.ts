import { mount } from 'svelte';
import Harness from './Harness.svelte';
import '../src/global.css';

mount(Harness, { target: document.getElementById('app')! });
