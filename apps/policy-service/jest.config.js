module.exports = { ...require('../../jest.preset.js'), displayName: 'policy-service', rootDir: __dirname };
