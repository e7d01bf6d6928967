module.exports = { ...require('../../jest.preset.js'), displayName: 'ca-core', rootDir: __dirname };
