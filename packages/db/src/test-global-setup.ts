import type { TestProject } from "vitest/node";
import { provisionTestDatabase } from "./testing.ts";

export default async function setup(project: TestProject) {
  const database = await provisionTestDatabase();
  project.provide("databaseUrl", database.url);
  return () => database.teardown();
}
