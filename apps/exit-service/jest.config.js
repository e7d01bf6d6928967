module.exports = { ...require('../../jest.preset.js'), displayName: 'exit-service', rootDir: __dirname };
