import { mount } from "svelte";
import Admin from "./Admin.svelte";
import "../app.css";

mount(Admin, { target: document.getElementById("admin")! });
