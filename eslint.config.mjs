import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "bin/**", ".local/**"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["describe", "it", "test"] },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "LogicalExpression[operator='||'][right.type=/Literal|ArrayExpression|ObjectExpression/]",
          message: 'Use ?? for defaults: || turns 0, false and "" into the default.',
        },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/config/load.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "pulumi",
          property: "Config",
          message: "Only src/config/load.ts reads pulumi.Config.",
        },
      ],
    },
  },
);
