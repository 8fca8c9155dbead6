import { h, mount } from '../dom.js';
export async function render(main) { mount(main, h('h1', {}, 'Alert lists')); }
