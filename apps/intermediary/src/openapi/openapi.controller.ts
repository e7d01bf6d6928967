import { Controller, Get } from '@nestjs/common';
import { OPENAPI_DOCUMENT } from './openapi.document';
import { type OpenApiDocument } from '@signet/http';

@Controller('api/v1')
export class OpenApiController {
  @Get('openapi.json')
  document(): OpenApiDocument {
    return OPENAPI_DOCUMENT;
  }
}
